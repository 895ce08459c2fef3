// Bytes real clients sent after their upgrade was answered, recorded through a proxy in front of
// peapod (2026-12-03), for the protocol tests. Never used by the product.

/**
 * kubectl 1.27.16: `echo -n hi | kubectl exec -i web -c app -- sh -c 'cat; exit 2'` over SPDY/3.1 (v4):
 * SYN_STREAMs for error, stdin, stdout, stderr; DATA "hi" on stdin, then its FIN; the closing frames.
 */
export const KUBECTL_127_EXEC_STDIN = Buffer.from(
  'gAMAAQAAACkAAAABAAAAAAAAePnjxqfCYmBgYASns5Ki1MRcaFHCmgoKaAAAAAD//4ADAAEAAAAXAAAAAwAAAAAAAMIuVVySkpkHAAAA//+AAwABAAAAGQAAAAUAAAAAAADCKsVWXJKSX1oCAAAA//+AAwABAAAAFQAAAAcAAAAAAADCKZdaVAQAAAD//wAAAAMAAAACaGkAAAADAQAAAIADAAMAAAAIAAAABQAAAAWAAwADAAAACAAAAAcAAAAFgAMAAwAAAAgAAAABAAAABYADAAcAAAAIAAAAAAAAAAA=',
  'base64',
);

/**
 * kubectl 1.27.16: `kubectl port-forward pod/pf 18090:80` and one `curl localhost:18090/` through it:
 * an error stream (port 80, requestid 0, half-closed at once), a data stream carrying the HTTP request.
 */
export const KUBECTL_127_PORT_FORWARD = Buffer.from(
  'gAMAAQAAAD0AAAABAAAAAAAAePnjxqfCAiU6cDorKUpNzIUWJaypoICGFMtFoCTMZGHAwMDAWQSJxExQ4mY0AAAAAP//AAAAAQEAAACAAwABAAAAGAAAAAMAAAAAAADCqhVUCiUS0gkAAAD//wAAAAMAAABPR0VUIC8gSFRUUC8xLjENCkhvc3Q6IGxvY2FsaG9zdDoxODA5MA0KVXNlci1BZ2VudDogY3VybC83Ljg4LjENCkFjY2VwdDogKi8qDQoNCgAAAAMBAAAA',
  'base64',
);
