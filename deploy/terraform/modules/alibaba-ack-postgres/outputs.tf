output "cluster_id" {
  description = "ACK cluster id (aliyun cs GET /k8s/<id>/user_config for a kubeconfig)"
  value       = alicloud_cs_managed_kubernetes.this.id
}

output "vpc_id" {
  description = "VPC of the cluster and the database (Function Compute's vpcConfig uses it too)"
  value       = alicloud_vpc.this.id
}

output "database_host" {
  description = "Private address of the PostgreSQL endpoint"
  value       = local.database_host
}

output "database_url" {
  description = "DATABASE_URL for the chart's Secret (TLS required)"
  value       = "postgres://${var.database_user}:${urlencode(var.database_password)}@${local.database_host}:${local.database_port}/${var.database_name}?sslmode=require"
  sensitive   = true
}

output "storage_settings" {
  description = "Rhizome settings for the OSS bucket (credentials come from a RAM user or RRSA, not from here)"
  value = {
    RHIZOME_STORAGE = "s3"
    S3_BUCKET       = alicloud_oss_bucket.originals.bucket
    S3_REGION       = local.region
    S3_ENDPOINT     = "https://oss-${local.region}-internal.aliyuncs.com"
  }
}
