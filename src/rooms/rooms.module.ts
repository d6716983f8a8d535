import { Module } from '@nestjs/common';
import { NotifyModule } from '../notify/notify.module';
import { RoomsController } from './rooms.controller';
import { RoomsService } from './rooms.service';

@Module({ imports: [NotifyModule], controllers: [RoomsController], providers: [RoomsService], exports: [RoomsService] })
export class RoomsModule {}
