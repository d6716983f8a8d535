import { Module } from '@nestjs/common';
import { SweeperModule } from '../sweeper/sweeper.module';
import { HeartbeatRoute } from './heartbeat.route';
import { RoomsController } from './rooms.controller';
import { RoomsService } from './rooms.service';

@Module({ imports: [SweeperModule], controllers: [RoomsController], providers: [RoomsService, HeartbeatRoute], exports: [RoomsService] })
export class RoomsModule {}
