variable "name" {
  description = "Prefix of every resource name, e.g. rhizome-prod (one environment per module instance)"
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name))
    error_message = "name: 3-31 lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "location" {
  description = "Azure region, e.g. westeurope"
  type        = string
}

variable "address_space" {
  description = "Address space of the virtual network"
  type        = string
  default     = "10.50.0.0/16"
}

variable "kubernetes_version" {
  description = "AKS Kubernetes version (null: the default AKS offers)"
  type        = string
  default     = null
}

variable "node_vm_size" {
  description = "VM size of the default node pool"
  type        = string
  default     = "Standard_D4ds_v5"
}

variable "node_count" {
  description = "Minimum and maximum number of nodes (the cluster autoscaler works between them)"
  type        = object({ min = number, max = number })
  default     = { min = 2, max = 10 }
  validation {
    condition     = var.node_count.min >= 1 && var.node_count.max >= var.node_count.min
    error_message = "node_count: min >= 1 and max >= min."
  }
}

variable "postgres_version" {
  description = "PostgreSQL major version of the flexible server (AGE is offered on 13-16 and newer as Azure adds them)"
  type        = string
  default     = "16"
  validation {
    condition     = contains(["16", "17"], var.postgres_version)
    error_message = "postgres_version: 16 or 17."
  }
}

variable "database_sku" {
  description = "Flexible server SKU (General Purpose for production; Burstable B-series for dev)"
  type        = string
  default     = "GP_Standard_D2ds_v5"
}

variable "database_storage_mb" {
  description = "Flexible server storage in MB"
  type        = number
  default     = 131072
}

variable "high_availability" {
  description = "Zone-redundant standby for the database (production)"
  type        = bool
  default     = true
}

variable "backup_retention_days" {
  description = "Point-in-time restore window in days (7-35)"
  type        = number
  default     = 14
  validation {
    condition     = var.backup_retention_days >= 7 && var.backup_retention_days <= 35
    error_message = "backup_retention_days: 7 to 35."
  }
}

variable "database_name" {
  description = "Database Rhizome uses"
  type        = string
  default     = "rhizome"
}

variable "administrator_login" {
  description = "Administrator of the flexible server (Rhizome connects as it: the migrations create extensions)"
  type        = string
  default     = "rhizome"
}

variable "administrator_password" {
  description = "Administrator password (from a secret store; never committed)"
  type        = string
  sensitive   = true
  validation {
    condition     = length(var.administrator_password) >= 12
    error_message = "administrator_password: at least 12 characters."
  }
}

variable "tags" {
  description = "Tags put on every resource that takes them"
  type        = map(string)
  default     = {}
}
