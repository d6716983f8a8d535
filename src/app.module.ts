import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { AdminModule } from './admin/admin.module';
import { CallbacksModule } from './callbacks/callbacks.module';
import { ConfigModule } from './config/config.module';
import { Environment } from './config/environment';
import { HealthModule } from './health/health.module';
import { loggerOptions } from './logging';
import { NotifyModule } from './notify/notify.module';
import { RoomsModule } from './rooms/rooms.module';
import { StoreModule } from './store/store.module';
import { SweeperModule } from './sweeper/sweeper.module';

/** Wiring only: each imported module owns its part. */
@Module({})
export class AppModule {
  static forRoot(env: Environment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(env),
        LoggerModule.forRoot(loggerOptions(env)),
        ScheduleModule.forRoot(),
        StoreModule,
        NotifyModule,
        RoomsModule,
        SweeperModule,
        AdminModule,
        HealthModule,
        CallbacksModule,
      ],
    };
  }
}
