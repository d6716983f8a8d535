import { Module } from '@nestjs/common';
import { CallbackBodyLimit } from './callback-body';
import { TencentImCallbacksController } from './tencent-im-callbacks.controller';
import { TencentImCallbacksService } from './tencent-im-callbacks.service';

/** Third-party callbacks that speed up detection (Tencent IM presence). */
@Module({ controllers: [TencentImCallbacksController], providers: [TencentImCallbacksService, CallbackBodyLimit] })
export class CallbacksModule {}
