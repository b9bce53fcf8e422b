import type { Channel } from '@ballast/app/watchlists/notifications.js';

/** Where a user is reached on each channel; what is absent cannot be sent to (the delivery fails, saying so). */
export interface Addresses {
  email?: string;
  /** E.164, `+14155550123` */
  phone?: string;
  /** the SNS platform endpoint ARN of the user's device (mobile push) */
  pushEndpointArn?: string;
}

/**
 * The user's addresses (the profile context keeps them, encrypted where personal). `channel` says
 * which one the sender is about to use: a book may look up only that one (an SMS never reads the
 * e-mail address, an e-mail never opens the sealed phone), and may answer the others too.
 */
export type AddressBook = (tenantId: string, userId: string, channel: Channel) => Promise<Addresses>;

/** No addresses known: every delivery fails with "no … address", and the notification stays listed (tests, tools). */
export const noAddresses: AddressBook = async () => ({});

export class NoAddressError extends Error {
  override readonly name = 'NoAddressError';
  constructor(channel: string) {
    super(`no ${channel} address is known for the user`);
  }
}
