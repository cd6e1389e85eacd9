"""The app tier: the shared load balancer and, by `kind`, ECS Fargate services or an EC2 Auto Scaling group."""
