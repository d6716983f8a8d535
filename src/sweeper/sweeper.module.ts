import { Module } from '@nestjs/common';
import { NotifyModule } from '../notify/notify.module';
import { MassTimeoutGuard } from './mass-timeout-guard';
import { SweeperService } from './sweeper.service';

@Module({ imports: [NotifyModule], providers: [SweeperService, MassTimeoutGuard], exports: [MassTimeoutGuard] })
export class SweeperModule {}
