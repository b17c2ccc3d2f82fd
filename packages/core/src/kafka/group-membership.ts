/**
 * Opens a {@link GroupMembership}. It always runs on kafkajs, whatever `kafka.client` names for
 * producing (platformatic, native): only kafkajs takes a custom partition assigner with member and
 * assignment `userData`, which the cluster's assignment and config check are built on.
 */
import { openKafkajsGroupMembership } from './kafkajs'
import type { GroupMembership, GroupMembershipOptions } from './transport'

/** Opens a consumer-group membership (see {@link GroupMembership}); connects on first use. */
export async function openGroupMembership(options: GroupMembershipOptions): Promise<GroupMembership> {
  return openKafkajsGroupMembership(options)
}
