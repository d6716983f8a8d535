import { Module } from '@nestjs/common';
import { NotifyModule } from '../notify/notify.module';
import { RoomsModule } from '../rooms/rooms.module';
import { SweeperModule } from '../sweeper/sweeper.module';
import { AdminController } from './admin.controller';
import { AdminWebhooksController } from './admin-webhooks.controller';
import { AdminTokenGuard } from './admin-token.guard';
import { DeliveriesController } from './deliveries.controller';

@Module({
  imports: [RoomsModule, SweeperModule, NotifyModule],
  controllers: [AdminController, AdminWebhooksController, DeliveriesController],
  providers: [AdminTokenGuard],
})
export class AdminModule {}
