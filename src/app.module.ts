import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import type { HttpLogger } from 'pino-http';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { CallbacksModule } from './callbacks/callbacks.module';
import { ConfigModule } from './config/config.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { Environment } from './config/environment';
import { EventsModule } from './events/events.module';
import { GatewayModule } from './gateway/gateway.module';
import { HealthModule } from './health/health.module';
import { loggerModuleParams } from './logging';
import { MetricsModule } from './metrics/metrics.module';
import { NotifyModule } from './notify/notify.module';
import { RoomsModule } from './rooms/rooms.module';
import { StoreModule } from './store/store.module';
import { SweeperModule } from './sweeper/sweeper.module';
import { StorageOutageModule } from './common/storage-outage';

/** Wiring only: each imported module owns its part. */
@Module({})
export class AppModule {
  static forRoot(env: Environment, httpLogger: HttpLogger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(env),
        LoggerModule.forRoot(loggerModuleParams(httpLogger)),
        ScheduleModule.forRoot(),
        EventsModule,
        AuthModule,
        StoreModule,
        NotifyModule,
        RoomsModule,
        GatewayModule,
        SweeperModule,
        AdminModule,
        HealthModule,
        MetricsModule,
        StorageOutageModule,
        CallbacksModule,
        ...(env.DASHBOARD_ENABLED ? [DashboardModule] : []),
      ],
    };
  }
}
