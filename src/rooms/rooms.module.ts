import { Module } from '@nestjs/common';
import { NotifyModule } from '../notify/notify.module';
import { SweeperModule } from '../sweeper/sweeper.module';
import { HeartbeatRoute } from './heartbeat.route';
import { RoomsController } from './rooms.controller';
import { RoomsService } from './rooms.service';

@Module({ imports: [NotifyModule, SweeperModule], controllers: [RoomsController], providers: [RoomsService, HeartbeatRoute], exports: [RoomsService] })
export class RoomsModule {}
