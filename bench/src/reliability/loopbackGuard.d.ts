/** Whether this process's sockets go through the guard. */
export function installed(): boolean;
export function isLoopbackAddress(address: string): boolean;
/** The refusals recorded in this process. */
export function violations(): string[];
