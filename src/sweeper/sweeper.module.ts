import { Module } from '@nestjs/common';
import { NotifyModule } from '../notify/notify.module';
import { SweeperService } from './sweeper.service';

@Module({ imports: [NotifyModule], providers: [SweeperService] })
export class SweeperModule {}
