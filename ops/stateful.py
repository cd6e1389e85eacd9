"""The resource types that hold data or traffic: deleting or replacing one by accident loses something.

`ops diff` blocks a pull request that deletes, replaces or renames (a delete and a create to the
engine) a resource of one of these types, unless the change is accepted by URN. What forces a
replacement of each type is not repeated here: that is `ops.replacement.REPLACE_ON_CHANGE`.

Left out on purpose, because nothing is lost when they are rebuilt from the program:
- `aws:ecs/cluster:Cluster`: it holds no data and no address; its tasks are disposable by design.
  Replacing it replaces the service (`cluster` forces a new one), which the diff shows: a rolling
  restart behind the load balancer, not a loss.
- `aws:ecs/service:Service`, `aws:autoscaling/group:Group`: cattle; a replacement starts the new
  tasks or instances before the old ones go.
- `aws:elasticache/subnetGroup:SubnetGroup`: placement, not data. A new one changes the cache's
  `subnetGroupName`, which forces a new cache: the diff reports it against the cache itself.
- `aws:ec2/natGateway:NatGateway`: its public address is the Elastic IP's, which is listed.
- `aws:kms/alias:Alias`, security groups, IAM, target groups, listeners, alarms, dashboards, WAF:
  configuration the program recreates exactly.
- `aws:cloudtrail/trail:Trail`, EventBridge rules and schedules: configuration; the trail's record lives
  in its bucket and log group, which are listed.
- `aws:ec2/instance:Instance`: the access host holds nothing, and a new Amazon Linux release replaces
  it by design.
"""

from __future__ import annotations

__all__ = ["STATEFUL_TYPES", "is_stateful"]

STATEFUL_TYPES: frozenset[str] = frozenset(
    {
        # The database: a new instance starts empty (restoring a snapshot is a manual, slow step).
        "aws:rds/instance:Instance",
        # Where the database lives. Unlike the cache's, the instance takes a new subnet group in place (no
        # replacement reaches it to report), but that moves a live database; the program protects it in prod.
        "aws:rds/subnetGroup:SubnetGroup",
        # The sessions table: a new table starts empty and every user is logged out.
        "aws:dynamodb/table:Table",
        # Static assets and access logs: a new bucket starts empty, and its name is global (another
        # account may take it between the delete and the create).
        "aws:s3/bucket:Bucket",
        # The type the buckets had before pulumi-aws 7 (they alias it): a base plan may still show it.
        "aws:s3/bucketV2:BucketV2",
        # Everything at rest is encrypted with it: once the key is deleted, that data cannot be read.
        "aws:kms/key:Key",
        # The cache: nothing durable, but its name is fixed, so a replacement deletes it first and the app runs
        # without a cache until a new, cold one (at a new endpoint) is up.
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:elasticache/serverlessCache:ServerlessCache",
        # Logs kept for audit (flow logs, database, WAF, app): a replaced group starts empty.
        "aws:cloudwatch/logGroup:LogGroup",
        # The network: replacing the VPC or a subnet replaces everything placed in it, databases included.
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        # The NAT's public address: partners allow-list it, and a new one is a different address.
        "aws:ec2/eip:Eip",
        # Carries the traffic: a new load balancer has a new DNS name, and in-flight connections drop.
        "aws:lb/loadBalancer:LoadBalancer",
        # Carries the traffic: a new distribution has a new domain, and an alternate domain name can
        # belong to one distribution only, so the create fails until the old one is gone.
        "aws:cloudfront/distribution:Distribution",
        # Takes the site's name off the internet when deleted; a rename (delete + create of the same
        # DNS name) either fails to create or, when the create overwrites, loses the record on delete.
        "aws:route53/record:Record",
        # A worker's queue: messages waiting in it (and failed ones in its dead-letter queue) go with it.
        "aws:sqs/queue:Queue",
        # Its value: a deleted secret is only scheduled for deletion, and a new one under the same name
        # fails until the recovery window ends.
        "aws:secretsmanager/secret:Secret",
        # The alert topic: its e-mail subscriptions were confirmed by people; a new topic has none.
        "aws:sns/topic:Topic",
        # Threat detection: disabling GuardDuty or Security Hub deletes their findings, the evidence of an incident.
        # Not protected, so that a stack can hand them over to another owner in the account (an accepted change).
        "aws:guardduty/detector:Detector",
        "aws:securityhub/account:Account",
    }
)


def is_stateful(type_token: str) -> bool:
    """Whether a resource of this type holds data or traffic that a delete or a replacement loses."""
    return type_token in STATEFUL_TYPES
