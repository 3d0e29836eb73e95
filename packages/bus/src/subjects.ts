/** Adds a deployment prefix to subjects and stream names; subjects keep their dots. */
export class Prefixer {
  constructor(readonly prefix: string) {}

  subject(subject: string): string {
    return this.prefix ? `${this.prefix}${this.prefix.endsWith('.') ? '' : '.'}${subject}` : subject;
  }

  strip(subject: string): string {
    const p = this.subject('');
    return p && subject.startsWith(p) ? subject.slice(p.length) : subject;
  }

  stream(name: string): string {
    return this.prefix ? `${this.prefix.replace(/[^A-Za-z0-9_-]/g, '_')}${name}` : name;
  }
}

/** NATS subject matching: `*` one token, `>` the rest. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}
