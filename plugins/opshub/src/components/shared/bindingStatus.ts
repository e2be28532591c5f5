import type { OpsHubBinding } from '@opshub/plugin-opshub-common';

/**
 * How OpsHub came to trust a repository binding, as a phrase ("verified by
 * its catalog location in acme/web"); null while it does not.
 */
export function describeVerification(binding: OpsHubBinding): string | null {
  if (!binding.verified) return null;
  switch (binding.verifiedBy) {
    case 'location':
      return `verified by its catalog location in ${binding.repository}`;
    case 'approval': {
      const by = binding.approvedBy ?? 'an OpsHub org owner';
      return binding.approvedAt
        ? `approved by ${by} on ${new Date(
            binding.approvedAt,
          ).toLocaleDateString()}`
        : `approved by ${by}`;
    }
    case 'config':
      return 'approved in the app config';
    case 'not-required':
      return 'verification is turned off';
    default:
      return 'verified';
  }
}
