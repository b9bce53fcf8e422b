/** Where a user is reached on each channel; what is absent cannot be sent to (the delivery fails, saying so). */
export interface Addresses {
  email?: string;
  /** E.164, `+14155550123` */
  phone?: string;
  /** the SNS platform endpoint ARN of the user's device (mobile push) */
  pushEndpointArn?: string;
}

/** The user's addresses (the profile context keeps them, encrypted where personal). */
export type AddressBook = (tenantId: string, userId: string) => Promise<Addresses>;

/** No addresses known: every cloud delivery fails with "no … address", and the notification stays listed. */
export const noAddresses: AddressBook = async () => ({});

export class NoAddressError extends Error {
  override readonly name = 'NoAddressError';
  constructor(channel: string) {
    super(`no ${channel} address is known for the user`);
  }
}
