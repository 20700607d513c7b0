variable "name" {
  description = "Prefix of every resource name, e.g. rhizome-prod (one environment per module instance)"
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name))
    error_message = "name: 3-31 lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "zone_ids" {
  description = "Two or more availability zones of the region (the provider's region), for nodes and the database"
  type        = list(string)
  validation {
    condition     = length(var.zone_ids) >= 2
    error_message = "zone_ids: at least two zones, so a zone outage leaves the cluster running."
  }
}

variable "vpc_cidr" {
  description = "CIDR of the VPC"
  type        = string
  default     = "10.40.0.0/16"
}

variable "kubernetes_version" {
  description = "ACK Kubernetes version (null: the newest ACK offers)"
  type        = string
  default     = null
}

variable "node_instance_types" {
  description = "ECS instance types for the worker node pool, in order of preference"
  type        = list(string)
  default     = ["ecs.g7.xlarge", "ecs.g6.xlarge"]
}

variable "node_count" {
  description = "Minimum and maximum number of nodes (the node pool autoscales between them)"
  type        = object({ min = number, max = number })
  default     = { min = 2, max = 10 }
  validation {
    condition     = var.node_count.min >= 1 && var.node_count.max >= var.node_count.min
    error_message = "node_count: min >= 1 and max >= min."
  }
}

variable "database_engine" {
  description = "rds (ApsaraDB RDS for PostgreSQL) or polardb (PolarDB for PostgreSQL)"
  type        = string
  default     = "rds"
  validation {
    condition     = contains(["rds", "polardb"], var.database_engine)
    error_message = "database_engine: rds or polardb."
  }
}

variable "postgres_version" {
  description = "PostgreSQL major version (RDS: 17.0 has pgvector; check the engine's extension list for AGE)"
  type        = string
  default     = "17.0"
}

variable "database_instance_class" {
  description = "RDS instance type (e.g. pg.n2.2c.2m) or PolarDB node class (e.g. polar.pg.x4.medium)"
  type        = string
  default     = "pg.n2.2c.2m"
}

variable "database_storage_gb" {
  description = "RDS storage in GB (PolarDB storage grows by itself)"
  type        = number
  default     = 100
}

variable "database_name" {
  description = "Database Rhizome uses"
  type        = string
  default     = "rhizome"
}

variable "database_user" {
  description = "Database account Rhizome connects as (it runs the migrations, so it creates extensions)"
  type        = string
  default     = "rhizome"
}

variable "database_password" {
  description = "Password of the database account (from a secret store; never committed)"
  type        = string
  sensitive   = true
  validation {
    condition     = length(var.database_password) >= 12
    error_message = "database_password: at least 12 characters."
  }
}

variable "originals_bucket" {
  description = "Name of the OSS bucket for uploaded originals (RHIZOME_STORAGE=s3 with OSS's S3-compatible endpoint)"
  type        = string
}

variable "tags" {
  description = "Tags put on every resource that takes them"
  type        = map(string)
  default     = {}
}
