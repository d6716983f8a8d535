import { Module } from '@nestjs/common';
import { TencentImCallbacksController } from './tencent-im-callbacks.controller';
import { TencentImCallbacksService } from './tencent-im-callbacks.service';

/** Third-party callbacks that speed up detection (Tencent IM presence). */
@Module({ controllers: [TencentImCallbacksController], providers: [TencentImCallbacksService] })
export class CallbacksModule {}
