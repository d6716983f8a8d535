import { Module } from '@nestjs/common';
import { DueSoonSignal } from './due-soon';
import { MassTimeoutGuard } from './mass-timeout-guard';
import { SweeperService } from './sweeper.service';

@Module({ providers: [SweeperService, MassTimeoutGuard, DueSoonSignal], exports: [MassTimeoutGuard, DueSoonSignal] })
export class SweeperModule {}
