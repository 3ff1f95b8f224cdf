import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Controller, Get, Logger, Module } from '@nestjs/common';
import pino from 'pino';
import { createServiceLog } from './log';
import { parseLogLine } from './log-line';
import { createServiceApp } from './service';
import { LOG_LEVELS, readLogSettings } from './settings';

describe('LOG_LEVEL', () => {
  it('is info unless set, and takes each of pino’s levels', () => {
    expect([readLogSettings({}), readLogSettings({ LOG_LEVEL: ' ' })]).toEqual([{ level: 'info' }, { level: 'info' }]);
    expect(LOG_LEVELS.map((level) => readLogSettings({ LOG_LEVEL: level }).level)).toEqual([...LOG_LEVELS]);
  });

  it.each(['verbose', 'log', 'INFO', '30'])('refuses LOG_LEVEL=%s, naming the setting', (LOG_LEVEL) => {
    expect(() => readLogSettings({ LOG_LEVEL })).toThrow(expect.objectContaining({ code: 'ERR_SETTINGS_INVALID', setting: 'LOG_LEVEL' }));
  });
});

describe('a log line', () => {
  it('is read when it is a JSON object with a level, a time and an app, and not otherwise', () => {
    const line = { level: 'info', time: 1795946059000, app: 'mobile-api', event: 'listening', url: 'http://127.0.0.1:3002' };
    const isoTime = { ...line, time: '2026-11-29T10:00:00.000Z' };
    expect([JSON.stringify(line), 'listening 3002', '[1]', JSON.stringify(isoTime), '{"level":"in'].map(parseLogLine)).toEqual([
      line,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

@Controller('ping')
class PingController {
  private readonly logger = new Logger('ping');

  @Get()
  ping(): string {
    this.logger.log({ event: 'ping' });
    this.logger.log('a line that is not an event');
    return 'pong';
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

describe('the service logger', () => {
  it('writes JSON lines with the app and the time, events at info and every other log() at debug, and an id for every request', async () => {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    });
    const log = createServiceLog('ping-api', { level: 'debug' }, destination);
    const app = await createServiceApp({ module: PingModule }, { app: 'ping-api', title: 'Ping', description: 'Pings.' }, log.logger);
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const ids: (string | null)[] = [];
    for (let i = 0; i < 2; i += 1) ids.push((await fetch(`${url}/ping`)).headers.get('x-request-id'));
    await app.close();
    await log.close();

    const now = Date.now();
    const lines = chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => parseLogLine(line));
    const ping = lines.filter((line) => line?.context === 'ping');
    const nest = lines.filter((line) => line?.context === 'NestApplication');
    expect({ ping, nest }).toEqual({
      ping: [1, 2].flatMap(() => [
        { level: 'info', time: expect.any(Number), app: 'ping-api', context: 'ping', event: 'ping' },
        { level: 'debug', time: expect.any(Number), app: 'ping-api', context: 'ping', msg: 'a line that is not an event' },
      ]),
      nest: [
        {
          level: 'debug',
          time: expect.any(Number),
          app: 'ping-api',
          context: 'NestApplication',
          msg: 'Nest application successfully started',
        },
      ],
    });
    expect(ping.filter((line) => Math.abs(now - (line?.time ?? 0)) > 60_000)).toEqual([]);
    expect({ ids: ids.filter((id) => /^[0-9a-f]{8}-[0-9a-z]+$/.test(id ?? '')).length, distinct: new Set(ids).size }).toEqual({
      ids: 2,
      distinct: 2,
    });
    expect(destination.writableEnded).toBe(true);
  });
});

describe('closing the log', () => {
  it('writes out every line logged before it, a backlog the asynchronous destination has not reached yet included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'service-log-'));
    try {
      const file = join(dir, 'app.jsonl');
      const log = createServiceLog('ping-api', { level: 'info' }, pino.destination({ dest: file, sync: false }));
      for (let n = 0; n < 20_000; n += 1) log.logger.info({ event: 'ping', n });
      // Read before the event loop turns: the destination's writes complete only on a later turn.
      const before = readIfThere(file).split('\n').length - 1;
      await log.close();
      const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
      expect({ backlogBeforeClose: before < 20_000, lines: lines.length, last: parseLogLine(lines[lines.length - 1] ?? '')?.n }).toEqual({
        backlogBeforeClose: true,
        lines: 20_000,
        last: 19_999,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function readIfThere(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
