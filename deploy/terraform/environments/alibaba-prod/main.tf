# Production on Alibaba Cloud: ACK + RDS for PostgreSQL + OSS. State in OSS with a Tablestore lock.
#   terraform init && terraform apply -var database_password=... (or TF_VAR_database_password)
terraform {
  required_version = ">= 1.6"
  required_providers {
    alicloud = {
      source  = "aliyun/alicloud"
      version = ">= 1.230.0, < 2.0.0"
    }
  }
  backend "oss" {
    bucket              = "rhizome-terraform-state"
    prefix              = "prod"
    key                 = "rhizome.tfstate"
    region              = "cn-hangzhou"
    tablestore_endpoint = "https://rhizome-tf-lock.cn-hangzhou.ots.aliyuncs.com"
    tablestore_table    = "terraform_lock"
  }
}

provider "alicloud" {
  region = "cn-hangzhou"
}

variable "database_password" {
  description = "Password of Rhizome's database account"
  type        = string
  sensitive   = true
}

module "rhizome" {
  source            = "../../modules/alibaba-ack-postgres"
  name              = "rhizome-prod"
  zone_ids          = ["cn-hangzhou-i", "cn-hangzhou-j"]
  database_engine   = "rds"
  database_password = var.database_password
  originals_bucket  = "rhizome-prod-originals"
  node_count        = { min = 3, max = 12 }
}

output "database_url" {
  value     = module.rhizome.database_url
  sensitive = true
}

output "storage_settings" {
  value = module.rhizome.storage_settings
}
