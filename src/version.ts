// peapod's own version (package.json's; a unit test keeps the two equal). A constant, not a read of
// package.json at run time: the CLI runs from a bundle whose path to package.json differs from dist's.
export const PEAPOD_VERSION = '0.1.0';
