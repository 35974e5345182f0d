import { filesOf, subscribeUidGroupFor } from './agora-recording.client';

describe('Agora Cloud Recording answers', () => {
  it('reads the files of a serverResponse, as objects or as one file name, and nothing else', () => {
    expect(filesOf({ serverResponse: { fileList: [{ fileName: 'a/b.m3u8', trackType: 'audio', uid: '123', sliceStartTime: 5, extra: 1 }, { nope: true }, { fileName: '' }] } })).toEqual([
      { fileName: 'a/b.m3u8', trackType: 'audio', uid: '123', sliceStartTime: 5 },
    ]);
    expect(filesOf({ serverResponse: { fileList: 'a/b.m3u8' } })).toEqual([{ fileName: 'a/b.m3u8' }]);
    expect(filesOf({ serverResponse: {} })).toEqual([]);
    expect(filesOf(undefined)).toEqual([]);
  });

  it('sizes individual recordings by the most members they may record', () => {
    expect([1, 2, 3, 7, 8, 12, 13, 17, 18, 32, 33, 49, 500].map(subscribeUidGroupFor)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 5]);
  });
});

