import { DynamicModule, Global, Module } from '@nestjs/common';
import { Environment } from './environment';
import { CONFIG_SECTIONS, configSection, configSectionToken, SectionName } from './sections';

/**
 * Provides each module's configuration section (sections.ts, `@InjectConfig`), and the whole validated
 * configuration as `Environment` for the composition root.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: Environment): DynamicModule {
    const sections = (Object.keys(CONFIG_SECTIONS) as SectionName[]).map((section) => ({
      provide: configSectionToken(section),
      useValue: configSection(config, section),
    }));
    const tokens = sections.map((s) => s.provide);
    return {
      module: ConfigModule,
      providers: [{ provide: Environment, useValue: config }, ...sections],
      exports: [Environment, ...tokens],
    };
  }
}
