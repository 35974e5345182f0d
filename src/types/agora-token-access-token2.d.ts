// agora-token's AccessToken2 (what RtcTokenBuilder builds with) ships no typings. The token path
// uses it directly for tokens that leave out some publish privileges (a muted member's), which
// RtcTokenBuilder cannot express: its builders grant all of them or none.
declare module 'agora-token/src/AccessToken2' {
  export class ServiceRtc {
    static kPrivilegeJoinChannel: number;
    static kPrivilegePublishAudioStream: number;
    static kPrivilegePublishVideoStream: number;
    static kPrivilegePublishDataStream: number;
    constructor(channelName: string, uid: number | string);
    add_privilege(privilege: number, expireSeconds: number): void;
  }
  export class AccessToken2 {
    /** `issueTs` 0: now; `expire`: seconds from then. */
    constructor(appId: string, appCertificate: string, issueTs: number, expire: number);
    add_service(service: ServiceRtc): void;
    /** The token, or '' when the app id or certificate is malformed. */
    build(): string;
  }
}
