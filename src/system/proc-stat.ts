// /proc/PID/stat (proc(5)): the fields after the parenthesised command, which may itself hold spaces and
// parentheses, so the line is split after its last ")". Index 0 is the state, 1 the ppid, 2 the process
// group, 3 the session, 11 and 12 utime and stime, 13 and 14 cutime and cstime (clock ticks).

export function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
