import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DashboardData, DashboardService } from './dashboard.service';

/** A human's view for operators; not part of the API contract, so left out of the OpenAPI document. */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardController {
  /** Copied next to the compiled controller by nest-cli's assets (like the .lua scripts). */
  private readonly html = readFileSync(join(__dirname, 'dashboard.html'), 'utf8');

  constructor(private readonly dashboard: DashboardService) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  page(): string {
    return this.html;
  }

  @Get('data')
  @Header('cache-control', 'no-store')
  data(): Promise<DashboardData> {
    return this.dashboard.data();
  }
}
