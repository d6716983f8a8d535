import { createHash } from 'node:crypto';
import type { LiveEvent } from '../../events/live-event';
import { groupMessage, messageRandom, viewerNotice } from './message';

const ended: LiveEvent = {
  id: 'L1:3',
  type: 'live.ended',
  seq: 3,
  roomId: 'r1',
  liveId: 'L1',
  anchorId: 'a1',
  groupId: '@TGS#r1',
  reason: 'timeout',
  at: 1700000000123,
};

describe('viewer notice message', () => {
  it('is one High-priority custom element carrying the notice JSON, to the room group', () => {
    const body = groupMessage(ended, 'LIVE_ENDED');
    expect(body).toEqual({
      GroupId: '@TGS#r1',
      Random: messageRandom('L1:3'),
      MsgPriority: 'High',
      ForbidCallbackControl: ['ForbidBeforeSendMsgCallback', 'ForbidAfterSendMsgCallback'],
      MsgBody: [{ MsgType: 'TIMCustomElem', MsgContent: { Data: expect.any(String) } }],
    });
    expect(JSON.parse((body.MsgBody[0].MsgContent as { Data: string }).Data)).toEqual({
      type: 'LIVE_ENDED',
      roomId: 'r1',
      liveId: 'L1',
      anchorId: 'a1',
      reason: 'timeout',
      at: 1700000000123,
      seq: 3,
    });
  });

  it('skips the app’s send-message callbacks as configured', () => {
    expect(groupMessage(ended, 'LIVE_ENDED', undefined, 'before').ForbidCallbackControl).toEqual(['ForbidBeforeSendMsgCallback']);
    expect(groupMessage(ended, 'LIVE_ENDED', undefined, 'after').ForbidCallbackControl).toEqual(['ForbidAfterSendMsgCallback']);
    expect(groupMessage(ended, 'LIVE_ENDED', undefined, 'none')).not.toHaveProperty('ForbidCallbackControl');
  });

  it('adds the configured text to endings only', () => {
    expect(groupMessage(ended, 'LIVE_ENDED', 'The live has ended').MsgBody[1]).toEqual({
      MsgType: 'TIMTextElem',
      MsgContent: { Text: 'The live has ended' },
    });
    expect(groupMessage({ ...ended, type: 'live.interrupted' }, 'LIVE_INTERRUPTED', 'x').MsgBody).toHaveLength(1);
  });

  it('derives Random from the event id: stable for a redelivery, different for each event of a live', () => {
    expect(messageRandom('L1:3')).toBe(createHash('sha256').update('L1:3').digest().readUInt32BE(0));
    expect(messageRandom('L1:3')).toBe(messageRandom('L1:3'));
    expect(new Set(['L1:2', 'L1:3', 'L1:4', 'L1:5'].map(messageRandom)).size).toBe(4);
    expect(messageRandom('L1:3')).toBeGreaterThanOrEqual(0);
    expect(messageRandom('L1:3')).toBeLessThanOrEqual(0xffffffff);
  });

  it('tells viewers about endings, interruptions and resumptions, not starts or superseded endings', () => {
    expect(viewerNotice(ended)?.type).toBe('LIVE_ENDED');
    expect(viewerNotice({ ...ended, type: 'live.interrupted', reason: undefined })?.type).toBe('LIVE_INTERRUPTED');
    expect(viewerNotice({ ...ended, type: 'live.resumed', reason: undefined })?.type).toBe('LIVE_RESUMED');
    expect(viewerNotice({ ...ended, type: 'live.started', reason: undefined })).toBeNull();
    expect(viewerNotice({ ...ended, reason: 'superseded' })).toBeNull();
  });

  it('tells the viewers of a superseded live which live replaced it, in a notice old handlers ignore', () => {
    const replacing: LiveEvent = {
      id: 'L2:1',
      type: 'live.started',
      seq: 1,
      roomId: 'r1',
      liveId: 'L2',
      anchorId: 'a1',
      groupId: '@TGS#r1',
      at: 1700000001000,
      previousLiveId: 'L1',
    };
    expect(viewerNotice(replacing)).toEqual({ type: 'LIVE_REPLACED', name: 'replaced' });
    const data = JSON.parse((groupMessage(replacing, 'LIVE_REPLACED').MsgBody[0].MsgContent as { Data: string }).Data);
    expect(data).toEqual({
      type: 'LIVE_REPLACED',
      roomId: 'r1',
      liveId: 'L2',
      anchorId: 'a1',
      reason: null,
      at: 1700000001000,
      seq: 1,
      previousLiveId: 'L1',
    });
    // Small: well under IM's 8 KB body limit even with long ids, and the usual fields stay where handlers read them.
    expect(JSON.stringify(data).length).toBeLessThan(200);
  });
});
