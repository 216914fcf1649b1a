// What a verb writes to and reads the time from: the terminal in use, a recording in specs.
// Its own module so the verbs' files can share it without importing each other.

export interface Io {
    out(text: string): void;
    err(text: string): void;
    now(): Date;
}
