# ACK (managed Kubernetes) plus managed PostgreSQL (RDS or PolarDB) and an OSS bucket for one
# Rhizome environment. The chart (deploy/helm/rhizome) is installed on the cluster afterwards,
# with DATABASE_URL from the `database_url` output in its Secret.

locals {
  tags        = merge({ "app.kubernetes.io/part-of" = "rhizome", environment = var.name }, var.tags)
  use_rds     = var.database_engine == "rds"
  use_polardb = var.database_engine == "polardb"
  # Only the cluster's nodes and pods reach the database.
  database_allowed_cidrs = [var.vpc_cidr]
}

resource "alicloud_vpc" "this" {
  vpc_name   = var.name
  cidr_block = var.vpc_cidr
  tags       = local.tags
}

resource "alicloud_vswitch" "nodes" {
  count        = length(var.zone_ids)
  vswitch_name = "${var.name}-nodes-${count.index}"
  vpc_id       = alicloud_vpc.this.id
  zone_id      = var.zone_ids[count.index]
  cidr_block   = cidrsubnet(var.vpc_cidr, 4, count.index)
  tags         = local.tags
}

resource "alicloud_vswitch" "pods" {
  count        = length(var.zone_ids)
  vswitch_name = "${var.name}-pods-${count.index}"
  vpc_id       = alicloud_vpc.this.id
  zone_id      = var.zone_ids[count.index]
  cidr_block   = cidrsubnet(var.vpc_cidr, 4, count.index + 8)
  tags         = local.tags
}

resource "alicloud_cs_managed_kubernetes" "this" {
  name               = var.name
  cluster_spec       = "ack.pro.small"
  version            = var.kubernetes_version
  vswitch_ids        = alicloud_vswitch.nodes[*].id
  pod_vswitch_ids    = alicloud_vswitch.pods[*].id
  service_cidr       = "172.21.0.0/20"
  new_nat_gateway    = true
  slb_internet_enabled = false
  # Terway gives pods VPC addresses (the database allow-list covers them) and enforces the chart's
  # NetworkPolicies.
  addons {
    name = "terway-eniip"
    config = jsonencode({ NetworkPolicy = "true" })
  }
  addons {
    name = "csi-plugin"
  }
  addons {
    name = "csi-provisioner"
  }
  addons {
    name = "nginx-ingress-controller"
    config = jsonencode({ IngressSlbNetworkType = "internet" })
  }
  tags = local.tags
}

resource "alicloud_cs_kubernetes_node_pool" "default" {
  cluster_id           = alicloud_cs_managed_kubernetes.this.id
  node_pool_name       = "${var.name}-default"
  vswitch_ids          = alicloud_vswitch.nodes[*].id
  instance_types       = var.node_instance_types
  system_disk_category = "cloud_essd"
  system_disk_size     = 120
  scaling_config {
    enable   = true
    min_size = var.node_count.min
    max_size = var.node_count.max
  }
  tags = local.tags
}

# ApsaraDB RDS for PostgreSQL (database_engine = "rds").
resource "alicloud_db_instance" "postgres" {
  count                    = local.use_rds ? 1 : 0
  instance_name            = "${var.name}-postgres"
  engine                   = "PostgreSQL"
  engine_version           = var.postgres_version
  instance_type            = var.database_instance_class
  instance_storage         = var.database_storage_gb
  db_instance_storage_type = "cloud_essd"
  category                 = "HighAvailability"
  zone_id                  = var.zone_ids[0]
  zone_id_slave_a          = var.zone_ids[1]
  vswitch_id               = join(",", slice(alicloud_vswitch.nodes[*].id, 0, 2))
  security_ips             = local.database_allowed_cidrs
  # AGE is loaded once per server process rather than by every connection (LOAD 'age').
  parameters {
    name  = "shared_preload_libraries"
    value = "pg_stat_statements,age"
  }
  tags = local.tags
}

resource "alicloud_rds_account" "rhizome" {
  count            = local.use_rds ? 1 : 0
  db_instance_id   = alicloud_db_instance.postgres[0].id
  account_name     = var.database_user
  account_password = var.database_password
  # The migrations create the vector and age extensions.
  account_type = "Super"
}

resource "alicloud_db_database" "rhizome" {
  count         = local.use_rds ? 1 : 0
  instance_id   = alicloud_db_instance.postgres[0].id
  data_base_name = var.database_name
  character_set = "UTF8"
}

resource "alicloud_db_backup_policy" "postgres" {
  count                   = local.use_rds ? 1 : 0
  instance_id             = alicloud_db_instance.postgres[0].id
  preferred_backup_period = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
  preferred_backup_time   = "18:00Z-19:00Z"
  backup_retention_period = 14
  enable_backup_log       = true
  log_backup_retention_period = 7
}

# PolarDB for PostgreSQL (database_engine = "polardb").
resource "alicloud_polardb_cluster" "postgres" {
  count         = local.use_polardb ? 1 : 0
  description   = "${var.name}-postgres"
  db_type       = "PostgreSQL"
  db_version    = split(".", var.postgres_version)[0]
  db_node_class = var.database_instance_class
  db_node_count = 2
  pay_type      = "PostPaid"
  zone_id       = var.zone_ids[0]
  vswitch_id    = alicloud_vswitch.nodes[0].id
  security_ips  = local.database_allowed_cidrs
  tags          = local.tags
}

resource "alicloud_polardb_account" "rhizome" {
  count            = local.use_polardb ? 1 : 0
  db_cluster_id    = alicloud_polardb_cluster.postgres[0].id
  account_name     = var.database_user
  account_password = var.database_password
  account_type     = "Super"
}

resource "alicloud_polardb_database" "rhizome" {
  count         = local.use_polardb ? 1 : 0
  db_cluster_id = alicloud_polardb_cluster.postgres[0].id
  db_name       = var.database_name
  account_name  = alicloud_polardb_account.rhizome[0].account_name
  character_set_name = "UTF8"
}

# Uploaded originals: the api writes, the workers read (S3-compatible API, internal endpoint).
resource "alicloud_oss_bucket" "originals" {
  bucket = var.originals_bucket
  versioning {
    status = "Enabled"
  }
  server_side_encryption_rule {
    sse_algorithm = "AES256"
  }
  tags = local.tags
}

resource "alicloud_oss_bucket_acl" "originals" {
  bucket = alicloud_oss_bucket.originals.bucket
  acl    = "private"
}

data "alicloud_regions" "current" {
  current = true
}

locals {
  database_host = local.use_rds ? alicloud_db_instance.postgres[0].connection_string : alicloud_polardb_cluster.postgres[0].connection_string
  database_port = local.use_rds ? tonumber(alicloud_db_instance.postgres[0].port) : 5432
  region        = data.alicloud_regions.current.regions[0].id
}
