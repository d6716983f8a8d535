import { Module } from '@nestjs/common';
import { RoomsModule } from '../rooms/rooms.module';
import { SweeperModule } from '../sweeper/sweeper.module';
import { NotifyModule } from '../notify/notify.module';
import { AdminController } from './admin.controller';
import { DeliveriesController } from './deliveries.controller';
import { AdminTokenGuard } from './admin-token.guard';

@Module({ imports: [RoomsModule, SweeperModule, NotifyModule], controllers: [AdminController, DeliveriesController], providers: [AdminTokenGuard] })
export class AdminModule {}
