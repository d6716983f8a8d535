import { Module } from '@nestjs/common';
import { RoomsModule } from '../rooms/rooms.module';
import { SweeperModule } from '../sweeper/sweeper.module';
import { AdminController } from './admin.controller';
import { AdminTokenGuard } from './admin-token.guard';

@Module({ imports: [RoomsModule, SweeperModule], controllers: [AdminController], providers: [AdminTokenGuard] })
export class AdminModule {}
