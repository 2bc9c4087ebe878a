import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { AppConfig } from './app-config';
import { HeraldConfigModule, loadConfig } from './config.module';
import { Environment } from './environment';
import { toInt } from './parsers';
import { defineSettings } from './settings';

/** A settings class the way an app writes one: one variable, its rule and its default. */
class WidgetSettings {
  /** Widgets per batch. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  WIDGET_BATCH = 4;
}
const widgetSettings = defineSettings('widgets', WidgetSettings);

@Injectable()
class WidgetService {
  constructor(@Inject(widgetSettings.KEY) readonly settings: WidgetSettings) {}
}

describe('loadConfig with an app namespace', () => {
  it('gives the namespace its defaults and the values set, typed', () => {
    expect(loadConfig({}, [widgetSettings]).settings(widgetSettings)).toEqual(
      Object.assign(new WidgetSettings(), { WIDGET_BATCH: 4 }),
    );
    expect(loadConfig({ WIDGET_BATCH: '7' }, [widgetSettings]).settings(widgetSettings).WIDGET_BATCH).toBe(7);
  });

  it('stops with one error naming every invalid variable, the shared ones and the namespace ones', () => {
    expect(() => loadConfig({ WIDGET_BATCH: '11', KAFKA_BROKERS: 'nope' }, [widgetSettings])).toThrow(
      /^Invalid configuration: KAFKA_BROKERS: .*; WIDGET_BATCH: WIDGET_BATCH must not be greater than 10$/,
    );
  });

  it('refuses to hand out a namespace the app did not load', () => {
    expect(() => loadConfig({}).settings(widgetSettings)).toThrow('configuration namespace widgets was not loaded');
  });
});

describe('HeraldConfigModule', () => {
  it('provides AppConfig and each namespace under its KEY (registerAs), also through ConfigService', async () => {
    const config = loadConfig({ WIDGET_BATCH: '9' }, [widgetSettings]);
    const moduleRef = await Test.createTestingModule({
      imports: [HeraldConfigModule.forRoot(config)],
      providers: [WidgetService],
    }).compile();
    expect(moduleRef.get(AppConfig)).toBe(config);
    expect(moduleRef.get(WidgetService).settings.WIDGET_BATCH).toBe(9);
    expect(moduleRef.get(ConfigService).get('widgets.WIDGET_BATCH')).toBe(9);
  });
});

describe('the shared variables', () => {
  it('hold every declared variable with its default, and nothing else of the environment', () => {
    const env = loadConfig({ UNRELATED_VARIABLE: 'x' }).env;
    expect(env).not.toHaveProperty('UNRELATED_VARIABLE');
    expect(env).not.toHaveProperty('PATH');
    for (const [name, byDefault] of Object.entries(new Environment())) {
      if (byDefault !== undefined) expect({ name, kept: name in env }).toEqual({ name, kept: true });
    }
  });
});
