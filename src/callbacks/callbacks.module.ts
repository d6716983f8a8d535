import { Module } from '@nestjs/common';
import { NotifyModule } from '../notify/notify.module';
import { CallbackBodyLimit } from './callback-body';
import { TencentImCallbacksController } from './tencent-im-callbacks.controller';
import { TencentImCallbacksService } from './tencent-im-callbacks.service';

/** Third-party callbacks that speed up detection (Tencent IM presence). */
@Module({ imports: [NotifyModule], controllers: [TencentImCallbacksController], providers: [TencentImCallbacksService, CallbackBodyLimit] })
export class CallbacksModule {}
