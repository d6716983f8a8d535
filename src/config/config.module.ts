import { DynamicModule, Global, Module } from '@nestjs/common';
import { Environment } from './environment';

/** Makes the validated configuration injectable as `Environment` everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: Environment): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: Environment, useValue: config }], exports: [Environment] };
  }
}
