import { Module } from '@nestjs/common';
import { NotifyModule } from '../notify/notify.module';
import { HeartbeatMetricsHook } from './heartbeat-metrics.hook';
import { RoomsController } from './rooms.controller';
import { RoomsService } from './rooms.service';

@Module({ imports: [NotifyModule], controllers: [RoomsController], providers: [RoomsService, HeartbeatMetricsHook], exports: [RoomsService] })
export class RoomsModule {}
