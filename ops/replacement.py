"""Which input changes make `pulumi up` replace a resource instead of updating it in place.

pulumi-aws 7.51.1 is bridged from the Terraform AWS provider, and a bridged resource is replaced
exactly when the Terraform plan for the change requires replacement: the changed attribute has
`ForceNew: true` in its SDKv2 schema, a `RequiresReplace` plan modifier in its plugin-framework
schema, or the resource's CustomizeDiff / ModifyPlan calls `ForceNew` / sets `RequiresReplace` for
that change. `REPLACE_ON_CHANGE` is that knowledge as data: for each Pulumi type token the program
uses (or is about to), the camelCase top-level input names (the names on the wire, as the offline
plans record them) whose change forces replacement.

How it was derived
------------------
- Schemas: terraform-provider-aws v6.58.0 (the newest release whose source was readable offline; an
  index of the provider's functions per release). Each resource's schema function was read in full,
  and its CustomizeDiff / ModifyPlan for conditional replacement. Cross-checked against v5.46 and,
  for the VPC security group rules, the upstream `vpc_security_group_ingress_rule.go`.
- Names: the installed Python SDK (pulumi_aws 7.51.1): each Terraform attribute is mapped to the
  resource's input as its `_internal_init` sets it (`__props__.__dict__[...]`), then to the wire
  name in that resource's Args class (`@pulumi.getter(name="...")`). Pulumi renames are applied
  (plurals such as `volume` -> `volumes`, `local_secondary_index` -> `localSecondaryIndexes`;
  `alarm_name` -> `name` on MetricAlarm; `topic_arn` -> `topic` on TopicSubscription).
- pulumi-aws 7.51.1 bridges a release slightly newer than v6.58.0: a few inputs of the SDK are not
  in v6.58.0 (RDS `warningEventCategories`, ElastiCache `authTokenWoVersion`, SNS
  `maximumMessageSize`, MetricAlarm `evaluationWindow` / `warmUpConfiguration`, WebAcl
  `monetizationConfig`). Their schema could not be read, so they are not listed: they are treated
  as updates in place.

Conventions
-----------
- Top-level inputs only. A change anywhere inside a nested block is a change of its top-level
  input, so a top-level input is listed when a ForceNew attribute lives inside it (marked "nested").
- `region` (pulumi-aws 7 / provider v6 per-resource region) is listed for every regional resource:
  the provider's region interceptor forces replacement when it changes, except between unset and
  the provider's own region. Global resources (IAM, CloudFront, Route 53 records, Budgets) have
  no `region` input.
- Inputs that force replacement only for some old/new values are listed in `REPLACE_ON_CHANGE`
  when replacement is the usual outcome (a comment names the exception), and otherwise in
  `CONDITIONAL_REPLACE_ON_CHANGE`, which `forces_replacement` does not report.
- Auto-naming: most `name` inputs are ForceNew and Pulumi auto-names a resource that has none
  (the generated name lives in the stack state, not in the plan's inputs). Giving an auto-named
  resource an explicit `name` / `namePrefix`, or dropping an explicit one, is a change of `name`
  and replaces it; leaving it unset in both plans is no change at all.
- Removing an input that the provider also computes (Optional + Computed, e.g. RDS `kmsKeyId`,
  `availabilityZone`) keeps the current value in the real engine: no diff, so no replacement.
  The table cannot see that; it answers for a value that changes.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "CONDITIONAL_REPLACE_ON_CHANGE",
    "REPLACE_ON_CHANGE",
    "forces_replacement",
    "known",
]

_SG_RULE_SOURCES = frozenset({"cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"})

# fmt: off
REPLACE_ON_CHANGE: dict[str, frozenset[str]] = {
    # ---- VPC and EC2 networking (internal/service/ec2) ----
    # resourceVPC (vpc_.go). instanceTenancy: CustomizeDiff ForceNew except dedicated -> default.
    # cidrBlock: ForceNew unless ipv4NetmaskLength is set (then it comes from IPAM and is ignored).
    "aws:ec2/vpc:Vpc": frozenset({
        "cidrBlock", "instanceTenancy", "ipv4IpamPoolId", "ipv4NetmaskLength", "region",
    }),
    # resourceSubnet (vpc_subnet.go). ipv6CidrBlock: see CONDITIONAL_REPLACE_ON_CHANGE.
    "aws:ec2/subnet:Subnet": frozenset({
        "availabilityZone", "availabilityZoneId", "cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength",
        "ipv6IpamPoolId", "ipv6Native", "ipv6NetmaskLength", "outpostArn", "region", "vpcId",
    }),
    # resourceRouteTable (vpc_route_table.go). Inline `routes` and `propagatingVgws` update in place.
    "aws:ec2/routeTable:RouteTable": frozenset({"region", "vpcId"}),
    # resourceRouteTableAssociation (vpc_route_table_association.go). routeTableId updates in place
    # (ReplaceRouteTableAssociation).
    "aws:ec2/routeTableAssociation:RouteTableAssociation": frozenset({"gatewayId", "region", "subnetId"}),
    # resourceRoute (vpc_route.go). The target (gatewayId, natGatewayId, ...) updates in place.
    "aws:ec2/route:Route": frozenset({
        "destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId", "region", "routeTableId",
    }),
    # resourceNATGateway (vpc_nat_gateway.go). secondaryPrivateIpAddressCount: conditional.
    "aws:ec2/natGateway:NatGateway": frozenset({
        "allocationId", "availabilityMode", "connectivityType", "privateIp", "region", "subnetId", "vpcId",
    }),
    # resourceEIP (ec2_eip.go). instance / networkInterface associations update in place.
    "aws:ec2/eip:Eip": frozenset({
        "address", "domain", "ipamPoolId", "networkBorderGroup", "publicIpv4Pool", "region",
    }),
    # resourceInternetGateway (vpc_internet_gateway.go). vpcId detaches/attaches in place.
    "aws:ec2/internetGateway:InternetGateway": frozenset({"region"}),
    # resourceVPCEndpoint (vpc_endpoint.go). dnsOptions: nested (privateDnsPreference,
    # privateDnsSpecifiedDomains are ForceNew). privateDnsEnabled: conditional.
    "aws:ec2/vpcEndpoint:VpcEndpoint": frozenset({
        "dnsOptions", "region", "resourceConfigurationArn", "serviceName", "serviceNetworkArn",
        "serviceRegion", "vpcEndpointType", "vpcId",
    }),
    # resourceSecurityGroup (vpc_security_group.go). Inline ingress/egress rules update in place.
    # description defaults to "Managed by Pulumi" (pulumi-aws patch); changing it replaces.
    "aws:ec2/securityGroup:SecurityGroup": frozenset({"description", "name", "namePrefix", "region", "vpcId"}),
    # resourceDefaultSecurityGroup (vpc_default_security_group.go): adopts the VPC's default group.
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": frozenset({"region", "vpcId"}),
    # securityGroupRuleResource.Schema / .ModifyPlan (plugin framework, vpc_security_group_ingress_rule.go).
    # securityGroupId: RequiresReplace. fromPort, toPort, ipProtocol, description and the value of the
    # source (cidrIpv4, cidrIpv6, prefixListId, referencedSecurityGroupId) update in place
    # (ModifySecurityGroupRules); switching to another kind of source replaces (ModifyPlan), which
    # `forces_replacement` detects as two source inputs changing at once (exactly one may be set).
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": frozenset({"region", "securityGroupId"}),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": frozenset({"region", "securityGroupId"}),
    # resourceFlowLog (vpc_flow_log.go): every argument but tags. destinationOptions and
    # tagFieldSpecifications are ForceNew themselves and in their nested attributes.
    "aws:ec2/flowLog:FlowLog": frozenset({
        "deliverCrossAccountRole", "destinationOptions", "eniId", "iamRoleArn", "logDestination",
        "logDestinationType", "logFormat", "maxAggregationInterval", "region", "regionalNatGatewayId",
        "subnetId", "tagFieldSpecifications", "trafficType", "transitGatewayAttachmentId",
        "transitGatewayId", "vpcId",
    }),
    # resourceLaunchTemplate (ec2_launch_template.go): every other change makes a new version.
    "aws:ec2/launchTemplate:LaunchTemplate": frozenset({"name", "namePrefix", "region"}),

    # ---- CloudWatch ----
    # resourceGroup (logs/group.go). kmsKeyId and retentionInDays update in place.
    "aws:cloudwatch/logGroup:LogGroup": frozenset({"logGroupClass", "name", "namePrefix", "region"}),
    # resourceMetricAlarm (cloudwatch/metric_alarm.go). TF alarm_name is Pulumi `name`.
    "aws:cloudwatch/metricAlarm:MetricAlarm": frozenset({"name", "region"}),
    # resourceDashboard (cloudwatch/dashboard.go).
    "aws:cloudwatch/dashboard:Dashboard": frozenset({"dashboardName", "region"}),

    # ---- IAM (global: no region) ----
    # resourceRole (iam/role.go). assumeRolePolicy, description, inline/managed policies update in place.
    "aws:iam/role:Role": frozenset({"name", "namePrefix", "path"}),
    # resourceRolePolicy (iam/role_policy.go).
    "aws:iam/rolePolicy:RolePolicy": frozenset({"name", "namePrefix", "role"}),
    # resourcePolicy (iam/policy.go). A new `policy` document makes a new policy version in place.
    "aws:iam/policy:Policy": frozenset({"description", "name", "namePrefix", "path"}),
    # resourceRolePolicyAttachment (iam/role_policy_attachment.go).
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": frozenset({"policyArn", "role"}),
    # resourceInstanceProfile (iam/instance_profile.go). role updates in place.
    "aws:iam/instanceProfile:InstanceProfile": frozenset({"name", "namePrefix", "path"}),

    # ---- KMS ----
    # resourceKey (kms/key.go). description, policy, rotation and isEnabled update in place.
    "aws:kms/key:Key": frozenset({
        "customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "region", "xksKeyId",
    }),
    # resourceAlias (kms/alias.go). targetKeyId updates in place.
    "aws:kms/alias:Alias": frozenset({"name", "namePrefix", "region"}),
    # resourceKeyPolicy (kms/key_policy.go): keyId is not ForceNew (the policy is put on the new key).
    "aws:kms/keyPolicy:KeyPolicy": frozenset({"region"}),

    # ---- RDS ----
    # resourceInstance (rds/instance.go). All static ForceNew. engine: its StateFunc lowercases, so
    # a change of case only is no change. kmsKeyId, availabilityZone, username, characterSetName,
    # timezone, snapshotIdentifier, ncharCharacterSetName are Optional + Computed (unsetting them is
    # no change). storageEncrypted: unset and false are the same value. s3Import: nested (all of its
    # attributes are ForceNew). identifier / identifierPrefix are NOT ForceNew: an RDS instance is
    # renamed in place.
    "aws:rds/instance:Instance": frozenset({
        "availabilityZone", "backupTarget", "characterSetName", "customIamInstanceProfile", "dbName",
        "engine", "kmsKeyId", "ncharCharacterSetName", "region", "restoreToPointInTime", "s3Import",
        "snapshotIdentifier", "storageEncrypted", "timezone", "username",
    }),
    # resourceSubnetGroup (rds/subnet_group.go). description and subnetIds update in place.
    "aws:rds/subnetGroup:SubnetGroup": frozenset({"name", "namePrefix", "region"}),
    # resourceParameterGroup (rds/parameter_group.go). parameters update in place.
    "aws:rds/parameterGroup:ParameterGroup": frozenset({"description", "family", "name", "namePrefix", "region"}),

    # ---- ElastiCache ----
    # resourceReplicationGroup (elasticache/replication_group.go). Static ForceNew plus CustomizeDiff:
    # engine replaces except redis -> valkey (and not for global datastore members);
    # nodeGroupConfigurations replaces when explicitly configured node groups are added, removed or
    # change replicaCount / slots / an explicitly set AZ. engineVersion and transitEncryptionEnabled:
    # see CONDITIONAL_REPLACE_ON_CHANGE.
    "aws:elasticache/replicationGroup:ReplicationGroup": frozenset({
        "atRestEncryptionEnabled", "dataTieringEnabled", "durability", "engine", "globalReplicationGroupId",
        "kmsKeyId", "networkType", "nodeGroupConfigurations", "port", "region", "replicationGroupId",
        "securityGroupNames", "snapshotArns", "snapshotName", "subnetGroupName",
    }),
    # serverlessCacheResource (elasticache/serverless_cache.go, plugin framework): RequiresReplace on these;
    # engine and majorEngineVersion replace only sometimes (CONDITIONAL_REPLACE_ON_CHANGE).
    "aws:elasticache/serverlessCache:ServerlessCache": frozenset({
        "kmsKeyId", "name", "region", "snapshotArnsToRestore", "subnetIds",
    }),
    # resourceSubnetGroup (elasticache/subnet_group.go). description and subnetIds update in place.
    "aws:elasticache/subnetGroup:SubnetGroup": frozenset({"name", "region"}),
    # resourceParameterGroup (elasticache/parameter_group.go).
    "aws:elasticache/parameterGroup:ParameterGroup": frozenset({"description", "family", "name", "region"}),

    # ---- DynamoDB ----
    # resourceTable (dynamodb/table.go). importTable: nested (its ForceNew attributes are inside).
    # localSecondaryIndexes: ForceNew (GSIs update in place). restoreSourceName,
    # restoreSourceTableArn, restoreBackupArn: ForceNewIfChange, except when the new value is empty.
    "aws:dynamodb/table:Table": frozenset({
        "hashKey", "importTable", "localSecondaryIndexes", "name", "rangeKey", "region", "restoreBackupArn",
        "restoreDateTime", "restoreSourceName", "restoreSourceTableArn", "restoreToLatestTime",
    }),

    # ---- S3 ----
    # resourceBucket (s3/bucket.go). objectLockConfiguration: nested (its deprecated objectLockEnabled
    # is ForceNew; a change of its `rule` alone would update in place).
    "aws:s3/bucket:Bucket": frozenset({
        "bucket", "bucketNamespace", "bucketPrefix", "objectLockConfiguration", "objectLockEnabled", "region",
    }),
    # resourceBucketPolicy (s3/bucket_policy.go).
    "aws:s3/bucketPolicy:BucketPolicy": frozenset({"bucket", "region"}),
    # resourceBucketPublicAccessBlock (s3/bucket_public_access_block.go).
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": frozenset({"bucket", "region"}),
    # resourceBucketVersioning (s3/bucket_versioning.go). expectedBucketOwner: CustomizeDiff ForceNew
    # except from unset to the caller's own account ID.
    "aws:s3/bucketVersioning:BucketVersioning": frozenset({"bucket", "expectedBucketOwner", "region"}),
    # resourceBucketServerSideEncryptionConfiguration (s3/bucket_server_side_encryption_configuration.go):
    # same expectedBucketOwner rule as BucketVersioning.
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": frozenset({
        "bucket", "expectedBucketOwner", "region",
    }),
    # bucketLifecycleConfigurationResource.Schema (plugin framework, s3/bucket_lifecycle_configuration.go).
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": frozenset({
        "bucket", "expectedBucketOwner", "region",
    }),
    # resourceBucketOwnershipControls (s3/bucket_ownership_controls.go).
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": frozenset({"bucket", "region"}),

    # ---- Load balancing (internal/service/elbv2) ----
    # resourceLoadBalancer (load_balancer.go). subnets, subnetMappings, securityGroups,
    # secondaryIpsAutoAssignedPerSubnet: see CONDITIONAL_REPLACE_ON_CHANGE.
    "aws:lb/loadBalancer:LoadBalancer": frozenset({
        "customerOwnedIpv4Pool", "internal", "loadBalancerType", "name", "namePrefix", "region",
    }),
    # resourceTargetGroup (target_group.go). protocolVersion: its StateFunc uppercases.
    "aws:lb/targetGroup:TargetGroup": frozenset({
        "ipAddressType", "name", "namePrefix", "port", "protocol", "protocolVersion", "region",
        "targetControlPort", "targetType", "vpcId",
    }),
    # resourceListener (listener.go). port, protocol, certificates and actions update in place.
    "aws:lb/listener:Listener": frozenset({"loadBalancerArn", "region"}),
    # resourceListenerRule (listener_rule.go). priority, actions and conditions update in place.
    "aws:lb/listenerRule:ListenerRule": frozenset({"listenerArn", "region"}),

    # ---- SQS and Cloud Map ----
    # resourceQueuePolicy / resourceQueueRedriveAllowPolicy (sqs/queue_policy.go, attribute.go): queue_url ForceNew.
    "aws:sqs/queuePolicy:QueuePolicy": frozenset({"queueUrl", "region"}),
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": frozenset({"queueUrl", "region"}),
    # resourceHTTPNamespace (servicediscovery/http_namespace.go): name and description are ForceNew.
    "aws:servicediscovery/httpNamespace:HttpNamespace": frozenset({"description", "name", "region"}),

    # ---- ECS ----
    # resourceCluster (ecs/cluster.go).
    "aws:ecs/cluster:Cluster": frozenset({"name", "region"}),
    # resourceService (ecs/service.go). taskDefinition, desiredCount, networkConfiguration,
    # loadBalancers, capacityProviderStrategies update in place.
    "aws:ecs/service:Service": frozenset({"cluster", "iamRole", "launchType", "name", "region", "schedulingStrategy"}),
    # resourceTaskDefinition (ecs/task_definition.go): every argument but tags, skipDestroy and
    # trackLatest (a new revision). volumes: ForceNew (resourceTaskDefinitionVolumeSchema).
    "aws:ecs/taskDefinition:TaskDefinition": frozenset({
        "containerDefinitions", "cpu", "enableFaultInjection", "ephemeralStorage", "executionRoleArn",
        "family", "ipcMode", "memory", "networkMode", "pidMode", "placementConstraints",
        "proxyConfiguration", "region", "requiresCompatibilities", "runtimePlatform", "taskRoleArn", "volumes",
    }),

    # ---- Auto Scaling ----
    # resourceGroup (autoscaling/group.go). initialLifecycleHooks: ForceNew, nested attributes too.
    "aws:autoscaling/group:Group": frozenset({"initialLifecycleHooks", "name", "namePrefix", "region"}),
    # resourceTarget (appautoscaling/target.go). min/max capacity and roleArn update in place.
    "aws:appautoscaling/target:Target": frozenset({"region", "resourceId", "scalableDimension", "serviceNamespace"}),
    # resourcePolicy (appautoscaling/policy.go).
    "aws:appautoscaling/policy:Policy": frozenset({
        "name", "region", "resourceId", "scalableDimension", "serviceNamespace",
    }),

    # ---- CloudFront (global: no region) ----
    # resourceDistribution (cloudfront/distribution.go): only `staging`.
    "aws:cloudfront/distribution:Distribution": frozenset({"staging"}),
    # resourceOriginAccessControl (cloudfront/origin_access_control.go): nothing is ForceNew.
    "aws:cloudfront/originAccessControl:OriginAccessControl": frozenset(),
    # vpcOriginResource.Schema (plugin framework, cloudfront/vpc_origin.go): no RequiresReplace.
    "aws:cloudfront/vpcOrigin:VpcOrigin": frozenset(),
    # resourceResponseHeadersPolicy (cloudfront/response_headers_policy.go): nothing, not even name.
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": frozenset(),

    # ---- WAF, ACM, Route 53 ----
    # resourceWebACL (wafv2/web_acl.go). rules, defaultAction, visibilityConfig update in place.
    "aws:wafv2/webAcl:WebAcl": frozenset({"name", "namePrefix", "region", "scope"}),
    # resourceCertificate (acm/certificate.go). validationOptions: ForceNew, nested too.
    # domainName, subjectAlternativeNames: CustomizeDiff ForceNew for ACM-issued and private
    # certificates; on an imported certificate (certificateBody) they follow the body in place.
    "aws:acm/certificate:Certificate": frozenset({
        "certificateAuthorityArn", "domainName", "keyAlgorithm", "region", "subjectAlternativeNames",
        "validationMethod", "validationOptions",
    }),
    # resourceCertificateValidation (acm/certificate_validation.go).
    "aws:acm/certificateValidation:CertificateValidation": frozenset({
        "certificateArn", "region", "validationRecordFqdns",
    }),
    # resourceRecord (route53/record.go). type, ttl, records, aliases, setIdentifier update in place.
    "aws:route53/record:Record": frozenset({"name", "zoneId"}),

    # ---- Messaging ----
    # topicSchema (sns/topic.go).
    "aws:sns/topic:Topic": frozenset({"fifoTopic", "name", "namePrefix", "region"}),
    # subscriptionSchema (sns/topic_subscription.go). TF topic_arn is Pulumi `topic`.
    "aws:sns/topicSubscription:TopicSubscription": frozenset({"endpoint", "protocol", "region", "topic"}),
    # queueSchema (sqs/queue.go).
    "aws:sqs/queue:Queue": frozenset({"fifoQueue", "name", "namePrefix", "region"}),

    # ---- Other services ----
    # resourceBudget (budgets/budget.go). Global: no region.
    "aws:budgets/budget:Budget": frozenset({"accountId", "name", "namePrefix"}),
    # resourceSecret (secretsmanager/secret.go). kmsKeyId, description, policy, replicas update in place.
    "aws:secretsmanager/secret:Secret": frozenset({"name", "namePrefix", "region", "type"}),
    # resourcePrivateDNSNamespace (servicediscovery/private_dns_namespace.go).
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": frozenset({"name", "region", "vpc"}),
    # resourceTrail (cloudtrail/cloudtrail.go).
    "aws:cloudtrail/trail:Trail": frozenset({"name", "region"}),
    # resourceDetector (guardduty/detector.go).
    "aws:guardduty/detector:Detector": frozenset({"region"}),

    # ---- Audit, threat detection and the access host ----
    # resourceInstance (ec2/ec2_instance.go). instanceType, vpcSecurityGroupIds, iamInstanceProfile,
    # metadataOptions, creditSpecification, monitoring update in place (a type change stops and starts it).
    # rootBlockDevice: nested (encrypted, kmsKeyId are ForceNew; size and type update in place). userData:
    # ForceNew only with userDataReplaceOnChange. Read from an older revision of the schema (aws-sdk-go v1).
    "aws:ec2/instance:Instance": frozenset({
        "ami", "associatePublicIpAddress", "availabilityZone", "cpuCoreCount", "cpuOptions", "cpuThreadsPerCore",
        "ebsBlockDevices", "ebsOptimized", "enclaveOptions", "ephemeralBlockDevices", "hibernation", "hostId",
        "ipv6AddressCount", "ipv6Addresses", "keyName", "launchTemplate", "networkInterfaces", "placementGroup",
        "placementPartitionNumber", "privateDnsNameOptions", "privateIp", "region", "rootBlockDevice",
        "securityGroups", "subnetId", "tenancy",
    }),
    # resourceAccount (securityhub/account.go): enableDefaultStandards only.
    "aws:securityhub/account:Account": frozenset({"enableDefaultStandards", "region"}),
    # resourceStandardsSubscription (securityhub/standards_subscription.go).
    "aws:securityhub/standardsSubscription:StandardsSubscription": frozenset({"region", "standardsArn"}),
    # resourceRule (events/rule.go). eventPattern, description, state update in place.
    "aws:cloudwatch/eventRule:EventRule": frozenset({"eventBusName", "name", "namePrefix", "region"}),
    # resourceTarget (events/target.go). arn, input and roleArn update in place.
    "aws:cloudwatch/eventTarget:EventTarget": frozenset({"eventBusName", "region", "rule", "targetId"}),
    # resourceSchedule (scheduler/schedule.go). Expression, time zone and target update in place.
    "aws:scheduler/schedule:Schedule": frozenset({"groupName", "name", "namePrefix", "region"}),
}
# fmt: on

# The deprecated v6-era S3 tokens are the same Terraform resources as their v7 successors (the SDK
# keeps them as separate classes; their inputs differ only in plural names of non-ForceNew blocks).
REPLACE_ON_CHANGE |= {
    "aws:s3/bucketV2:BucketV2": REPLACE_ON_CHANGE["aws:s3/bucket:Bucket"],
    "aws:s3/bucketVersioningV2:BucketVersioningV2": REPLACE_ON_CHANGE["aws:s3/bucketVersioning:BucketVersioning"],
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": REPLACE_ON_CHANGE[
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    ],
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": REPLACE_ON_CHANGE[
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
    ],
}

# Inputs that force replacement only for some old/new values, the usual outcome being an update in
# place. `forces_replacement` does not report them (except the security group rule source kind,
# which it can tell from the names alone); a caller may flag them as "may replace".
# fmt: off
CONDITIONAL_REPLACE_ON_CHANGE: dict[str, frozenset[str]] = {
    # resourceSubnet CustomizeDiff: ForceNew when the old subnet had assignIpv6AddressOnCreation = true.
    "aws:ec2/subnet:Subnet": frozenset({"ipv6CidrBlock"}),
    # resourceNATGatewayCustomizeDiff: ForceNew for a private NAT gateway (connectivityType "private").
    "aws:ec2/natGateway:NatGateway": frozenset({"secondaryPrivateIpAddressCount"}),
    # resourceVPCEndpoint CustomizeDiff: ForceNew unless vpcEndpointType is "Interface".
    "aws:ec2/vpcEndpoint:VpcEndpoint": frozenset({"privateDnsEnabled"}),
    # Replaces when the kind of source changes (ModifyPlan); the value of the same kind updates in place.
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _SG_RULE_SOURCES,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _SG_RULE_SOURCES,
    # engineVersion: ForceNew on a downgrade only. transitEncryptionEnabled: ForceNew while the actual
    # engine version is below 7.0.5.
    "aws:elasticache/replicationGroup:ReplicationGroup": frozenset({"engineVersion", "transitEncryptionEnabled"}),
    # engine: in place between redis and valkey only. majorEngineVersion: in place only as a valkey upgrade
    # (a redis major upgrade or any downgrade replaces the serverless cache).
    "aws:elasticache/serverlessCache:ServerlessCache": frozenset({"engine", "majorEngineVersion"}),
    # customizeDiffLoadBalancerALB / NLB and resourceLoadBalancerCustomizeDiff: ALB replaces when an
    # existing subnet mapping changes; NLB replaces when subnets or mappings are removed or changed,
    # when security groups go from none to some or from some to none, and when
    # secondaryIpsAutoAssignedPerSubnet decreases. Adding subnets updates in place.
    "aws:lb/loadBalancer:LoadBalancer": frozenset({
        "secondaryIpsAutoAssignedPerSubnet", "securityGroups", "subnetMappings", "subnets",
    }),
}
# fmt: on

_SG_RULE_TYPES = frozenset(
    {
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    }
)


def known(type_token: str) -> bool:
    """Whether the table covers this Pulumi type token (an unknown type's answer means nothing)."""
    return type_token in REPLACE_ON_CHANGE


def forces_replacement(type_token: str, changed_inputs: Iterable[str]) -> frozenset[str]:
    """The changed top-level inputs (camelCase) whose change makes `pulumi up` replace the resource.

    Empty when the changes update in place, and for a type the table does not cover: use `known`
    to tell the two apart. A VPC security group rule also reports its old and new source inputs
    when the kind of source changes (two of cidrIpv4 / cidrIpv6 / prefixListId /
    referencedSecurityGroupId changing at once, since exactly one of them is set).
    """
    changed = frozenset(changed_inputs)
    forced = changed & REPLACE_ON_CHANGE.get(type_token, frozenset())
    if type_token in _SG_RULE_TYPES:
        sources = changed & _SG_RULE_SOURCES
        if len(sources) > 1:
            forced |= sources
    return forced
