import { GatewayScope } from './gateway-scope';

describe('GatewayScope', () => {
  it('covers exact room ids and prefixes ending in *', () => {
    const scope = GatewayScope.fromClaim(['room-1', 'shop-eu-*']);
    expect(scope.covers('room-1')).toBe(true);
    expect(scope.covers('room-10')).toBe(false);
    expect(scope.covers('shop-eu-42')).toBe(true);
    expect(scope.covers('shop-us-42')).toBe(false);
  });

  it('covers every room with * alone', () => {
    expect(GatewayScope.fromClaim(['*']).covers('anything')).toBe(true);
  });

  it.each([[undefined], ['room-1'], [[]], [['']], [[42]]])('refuses the claim %j, naming it', (claim) => {
    expect(() => GatewayScope.fromClaim(claim)).toThrow(/claim rooms/);
  });
});
