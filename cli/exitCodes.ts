// Exit codes shared by `npm run plan` and every `switchyard` verb where they mean the same.

/**
 * A usage mistake: an unknown command or flag, a bad flag value, a missing or unknown --stack.
 * sysexits.h's EX_USAGE, apart from every outcome a CI step branches on (held, inconclusive, a
 * policy violation), so a mistyped flag in a scheduled job can never pass for one of them.
 */
export const USAGE_EXIT_CODE = 64;
