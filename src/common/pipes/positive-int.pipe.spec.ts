import { ArgumentMetadata, BadRequestException } from '@nestjs/common';
import { PositiveIntPipe } from './positive-int.pipe';

describe('PositiveIntPipe', () => {
  const pipe = new PositiveIntPipe();
  const callId: ArgumentMetadata = { type: 'param', data: 'callId' };

  it.each(['abc', '0', '-1', '1.5', '99999999999', '2147483648', '', ' 42', '42 ', '0x10', '1e3', '４２'])(
    'refuses %p with a 400 naming the parameter',
    (value) => {
      expect(() => pipe.transform(value, callId)).toThrow(BadRequestException);
      expect(() => pipe.transform(value, callId)).toThrow('callId must be a positive integer');
    },
  );

  it.each([
    ['42', 42],
    ['1', 1],
    ['007', 7],
    ['2147483647', 2147483647],
  ])('turns %p into %p', (value, expected) => {
    expect(pipe.transform(value, callId)).toBe(expected);
  });

  it('names a parameter it was not told about as "id"', () => {
    expect(() => pipe.transform('abc', { type: 'param' })).toThrow('id must be a positive integer');
  });
});
