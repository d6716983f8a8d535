import { Module } from '@nestjs/common';
import { MassTimeoutGuard } from './mass-timeout-guard';
import { SweeperService } from './sweeper.service';

@Module({ providers: [SweeperService, MassTimeoutGuard], exports: [MassTimeoutGuard] })
export class SweeperModule {}
