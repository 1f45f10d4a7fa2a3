import { Module } from '@nestjs/common';
import { AdminServer } from './admin.server';

@Module({ providers: [AdminServer] })
export class AdminModule {}
