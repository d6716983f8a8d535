import { Module } from '@nestjs/common';
import { RoomsModule } from '../rooms/rooms.module';
import { GatewayHeartbeatsRoute } from './gateway-heartbeats.route';

/** Batch heartbeats for gateways that hold many anchors' connections; beats go through RoomsService. */
@Module({ imports: [RoomsModule], providers: [GatewayHeartbeatsRoute] })
export class GatewayModule {}
