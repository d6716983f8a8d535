import { Module } from '@nestjs/common';
import { NotifyModule } from '../notify/notify.module';
import { DueSoonSignal } from './due-soon';
import { MassTimeoutGuard } from './mass-timeout-guard';
import { SweeperService } from './sweeper.service';

@Module({ imports: [NotifyModule], providers: [SweeperService, MassTimeoutGuard, DueSoonSignal], exports: [MassTimeoutGuard, DueSoonSignal] })
export class SweeperModule {}
