import { Module } from '@nestjs/common';
import { NotifyModule } from '../notify/notify.module';
import { SweeperModule } from '../sweeper/sweeper.module';
import { DashboardController } from './dashboard.controller';
import { DashboardService } from './dashboard.service';
import { RecentEndingsRecorder } from './recent-endings.recorder';
import { RedisReachability } from './redis-reachability';
import { ReplicaPresence } from './replica-presence';

/** The status page; imported only when DASHBOARD_ENABLED=true, so otherwise its routes do not exist (404). */
@Module({
  imports: [SweeperModule, NotifyModule],
  controllers: [DashboardController],
  providers: [DashboardService, RecentEndingsRecorder, RedisReachability, ReplicaPresence],
})
export class DashboardModule {}
