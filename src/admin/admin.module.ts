import { Module } from '@nestjs/common';
import { RoomsModule } from '../rooms/rooms.module';
import { AdminController } from './admin.controller';
import { AdminTokenGuard } from './admin-token.guard';

@Module({ imports: [RoomsModule], controllers: [AdminController], providers: [AdminTokenGuard] })
export class AdminModule {}
