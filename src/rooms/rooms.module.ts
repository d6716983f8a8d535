import { Module } from '@nestjs/common';
import { NotifyModule } from '../notify/notify.module';
import { HeartbeatRoute } from './heartbeat.route';
import { RoomsController } from './rooms.controller';
import { RoomsService } from './rooms.service';

@Module({ imports: [NotifyModule], controllers: [RoomsController], providers: [RoomsService, HeartbeatRoute], exports: [RoomsService] })
export class RoomsModule {}
