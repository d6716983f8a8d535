import { memberStateReports, stateChangeReport } from './presence-report';

const stateChange = (action: string, reason: string | undefined, eventTime: unknown = 1629883332497) => ({
  CallbackCommand: 'State.StateChange',
  EventTime: eventTime,
  Info: { Action: action, To_Account: 'anchor-1', ...(reason !== undefined && { Reason: reason }) },
});

describe('IM presence reports', () => {
  it('reads State.StateChange as IM documents it: Login online, Disconnect offline, Logout offline only with Unregister', () => {
    expect(stateChangeReport(stateChange('Login', 'Register'))).toEqual({
      account: 'anchor-1',
      presence: 'online',
      eventTime: 1629883332497,
      groupId: '',
      settles: false,
    });
    expect(stateChangeReport(stateChange('Disconnect', 'LinkClose'))).toMatchObject({ presence: 'offline', settles: false });
    expect(stateChangeReport(stateChange('Disconnect', 'TimeOut'))).toMatchObject({ presence: 'offline', settles: false });
    // A Logout may be half of a multi-instance kick pair: it waits for its Login.
    expect(stateChangeReport(stateChange('Logout', 'Unregister'))).toMatchObject({ presence: 'offline', settles: true });
    expect(stateChangeReport(stateChange('Logout', undefined))).toMatchObject({ presence: 'offline', settles: true });
    // Any other Logout reason is not known to mean offline: heartbeats decide.
    expect(stateChangeReport(stateChange('Logout', 'Kicked'))).toBeNull();
    expect(stateChangeReport(stateChange('CustomStatusChange', 'SetCustomStatus'))).toBeNull();
  });

  it('takes a missing or malformed EventTime as unknown (0), and needs an account', () => {
    expect(stateChangeReport(stateChange('Login', 'Register', null))?.eventTime).toBe(0);
    expect(stateChangeReport(stateChange('Login', 'Register', 'soon'))?.eventTime).toBe(0);
    expect(stateChangeReport(stateChange('Login', 'Register', -5))?.eventTime).toBe(0);
    expect(stateChangeReport({ CallbackCommand: 'State.StateChange', Info: { Action: 'Login' } })).toBeNull();
  });

  it('reads a live group member-state report: one report per member, in that group', () => {
    const body = {
      GroupId: '@TGS#1',
      EventType: 'Offline',
      EventCause: 'HeartbeatInterrupt',
      EventTime: 5,
      MemberList: [{ Member_Account: 'a' }, {}, { Member_Account: 'b' }],
    };
    expect(memberStateReports(body)).toEqual([
      { account: 'a', presence: 'offline', eventTime: 5, groupId: '@TGS#1', settles: false },
      { account: 'b', presence: 'offline', eventTime: 5, groupId: '@TGS#1', settles: false },
    ]);
    expect(memberStateReports({ ...body, EventType: 'Online' })[0].presence).toBe('online');
    expect(memberStateReports({ ...body, EventType: 'Other' })).toEqual([]);
  });
});
