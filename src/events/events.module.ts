import { Global, Module } from '@nestjs/common';
import { LiveEventBus } from './live-event-bus';

/** Global: the store publishes on the bus, and any module may subscribe without importing another. */
@Global()
@Module({ providers: [LiveEventBus], exports: [LiveEventBus] })
export class EventsModule {}
