import { Module } from '@nestjs/common';
import { SweeperModule } from '../sweeper/sweeper.module';
import { DashboardController } from './dashboard.controller';
import { DashboardService } from './dashboard.service';
import { RecentEndingsRecorder } from './recent-endings.recorder';

/** The status page; imported only when DASHBOARD_ENABLED=true, so otherwise its routes do not exist (404). */
@Module({ imports: [SweeperModule], controllers: [DashboardController], providers: [DashboardService, RecentEndingsRecorder] })
export class DashboardModule {}
