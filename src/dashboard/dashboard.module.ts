import { Module } from '@nestjs/common';
import { SweeperModule } from '../sweeper/sweeper.module';
import { DashboardController } from './dashboard.controller';
import { DashboardService } from './dashboard.service';
import { RedisReachability } from './redis-reachability';
import { ReplicaPresence } from './replica-presence';

/** The status page; imported only when DASHBOARD_ENABLED=true, so otherwise its routes do not exist (404). */
@Module({ imports: [SweeperModule], controllers: [DashboardController], providers: [DashboardService, RedisReachability, ReplicaPresence] })
export class DashboardModule {}
